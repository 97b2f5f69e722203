/**
 * A pause for tests to kill a command at a chosen point (the QCODE_TEST_PAUSE_*_MS variables: test hooks, not
 * for users). The pause blocks the thread, as the synchronous SQLite work around it does, so a signal sent
 * during it finds the command exactly there. Undefined when the variable is unset.
 */
export function testPauseHook(variable: string, where: string): (() => void) | undefined {
  const ms = Number(process.env[variable] ?? '');
  if (!Number.isFinite(ms) || ms <= 0) return undefined;
  return () => {
    process.stderr.write(`${where} (${variable})\n`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  };
}
