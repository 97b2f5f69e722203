import { emitKeypressEvents } from 'node:readline';
import { UserError } from '../../core/errors.js';
import { SegmentGoneError } from '../../app/coding.js';
import { buildCatalog, initialPickerState, pressKey, type Catalog, type Key, type PickerCode, type PickerDimension, type PickerState } from './picker.js';
import { isTooSmall, renderCoderScreen, renderTooSmall, type CoderView, type Size } from './screen.js';

/**
 * Where the coder's answers go. Each method runs synchronously and must have committed its change
 * before it returns: the next screen is drawn only after that. A UserError thrown here is shown on
 * the message line and the coder stays where it is; a returned string is shown the same way.
 */
export interface CoderSource {
  /** The segment to show, or null when there is nothing (left) to code. */
  view(): CoderView | null;
  /** `shown`: the codes the screen started with, so that only what the coder changed is applied. */
  confirm(codes: string[], shown: readonly string[]): string | undefined;
  skip(): string | undefined;
  back(): string | undefined;
  jump(ordinal: number): string | undefined;
  memo(text: string): string | undefined;
}

export interface RunCoderOptions {
  dimensions: readonly PickerDimension[];
  codes: readonly PickerCode[];
  source: CoderSource;
  /** Opens $EDITOR with a draft and returns the text, or null when the coder left it empty. */
  editText?: ((draft: string) => string | null) | undefined;
  input?: NodeJS.ReadStream | undefined;
  output?: NodeJS.WriteStream | undefined;
  /** Told, on quitting, what was on screen and not saved (the codes ticked or unticked, a memo being typed). */
  onDiscard?: ((pending: PendingWork) => void) | undefined;
}

export type CoderOutcome = 'done' | 'quit';

/** What quitting loses: the unconfirmed change to the segment's codes, and whether a memo was being typed. */
export interface PendingWork {
  added: string[];
  removed: string[];
  memoDraft: boolean;
}

/**
 * Refuses a locale that names a charset other than UTF-8 (ru_RU.KOI8-R, ru_RU.CP1251): the coder draws
 * UTF-8 and reads keys as UTF-8, so such a terminal would show garbage and turn typed Cyrillic into
 * U+FFFD. No charset at all (C, POSIX, unset), as in many containers, passes: most terminals are UTF-8.
 */
export function requireUtf8Locale(command: string, env: NodeJS.ProcessEnv = process.env): void {
  // The first variable set decides, as for setlocale(LC_CTYPE): LC_ALL, then LC_CTYPE, then LANG.
  const name = ['LC_ALL', 'LC_CTYPE', 'LANG'].find((variable) => (env[variable] ?? '') !== '');
  if (name === undefined) return;
  const locale = env[name] as string;
  const charset = /\.([^@]+)/.exec(locale)?.[1];
  if (charset === undefined || charset.toLowerCase().replace(/[-_]/g, '') === 'utf8') return;
  const utf8 = `${locale.replace(/\..*$/, '')}.UTF-8`;
  throw new UserError(`${command} needs a UTF-8 terminal, but ${name}=${locale} names the ${charset} charset`, {
    hint: `run it with a UTF-8 locale, e.g. ${name}=${utf8} ${command} … (and set the terminal to UTF-8)`,
  });
}

const ENTER_SCREEN = '\u001b[?1049h\u001b[?25l';
const LEAVE_SCREEN = '\u001b[?25h\u001b[?1049l';
const HOME = '\u001b[H';
const CLEAR_LINE_END = '\u001b[K';
const CLEAR_BELOW = '\u001b[J';

/**
 * The full-screen code picker: draws the source's segment, reads keys in raw mode, and hands every
 * answer to the source before drawing the next. Resolves with 'done' when the source has nothing
 * left, 'quit' on ^Q / ^C / SIGTERM / SIGHUP. The terminal is restored however it ends.
 */
export function runCoderPrompt(options: RunCoderOptions): Promise<CoderOutcome> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const catalog: Catalog = buildCatalog(options.dimensions, options.codes);
  const { source } = options;

  return new Promise<CoderOutcome>((resolve, reject) => {
    let view = source.view();
    if (view === null) {
      resolve('done');
      return;
    }
    let state: PickerState = initialPickerState(catalog, view.given);
    // The codes the picker started from: confirm applies only what the coder changed from these, so
    // codes another process wrote meanwhile are not undone, even when a memo redrew the segment.
    let shown: readonly string[] = view.given;
    let finished = false;
    let page = 1;

    const size = (): Size => ({ columns: output.columns ?? 80, rows: output.rows ?? 24 });
    const draw = (): void => {
      if (view === null) return;
      if (isTooSmall(size())) {
        output.write(HOME + renderTooSmall(size()).map((line) => line + CLEAR_LINE_END).join('\r\n') + CLEAR_BELOW);
        return;
      }
      const screen = renderCoderScreen(catalog, { ...view, given: [...shown] }, state, size());
      page = screen.page;
      if (state.scroll > screen.maxScroll) state = { ...state, scroll: screen.maxScroll };
      // One write per frame, each line cleared to its end: no flicker and nothing left of the last frame.
      output.write(HOME + screen.lines.map((line) => line + CLEAR_LINE_END).join('\r\n') + CLEAR_BELOW);
    };

    const enter = (): void => {
      input.setRawMode(true);
      input.resume();
      output.write(ENTER_SCREEN);
    };
    const leave = (): void => {
      output.write(LEAVE_SCREEN);
      input.setRawMode(false);
      input.pause();
    };

    const finish = (outcome: CoderOutcome | Error): void => {
      if (finished) return;
      finished = true;
      if (outcome === 'quit' && view !== null) {
        const pending: PendingWork = {
          added: [...state.selected].filter((id) => !shown.includes(id)),
          removed: shown.filter((id) => !state.selected.has(id)),
          memoDraft: state.mode === 'memo' && state.draft.trim() !== '',
        };
        if (pending.added.length + pending.removed.length > 0 || pending.memoDraft) options.onDiscard?.(pending);
      }
      input.removeListener('keypress', onKey);
      output.removeListener('resize', draw);
      for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.removeListener(signal, onSignal);
      process.removeListener('exit', leaveOnExit);
      leave();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };

    const sameSegment = (a: CoderView, b: CoderView): boolean =>
      a.current.label === b.current.label && a.current.text === b.current.text && a.titleRight === b.titleRight;

    /**
     * Runs one answer against the source; the next segment is shown after. `keep` keeps what the coder
     * has chosen on screen: always (a memo), or when the source did not move (back at the first segment).
     */
    const act = (action: () => string | undefined, keep: 'always' | 'unless-moved' | 'never'): void => {
      let message: string | null;
      try {
        message = action() ?? null;
      } catch (error) {
        // Another qcode writing longer than the busy timeout: nothing was saved, and enter can try again.
        if ((error as { code?: unknown }).code === 'SQLITE_BUSY') {
          state = { ...state, message: 'the project is busy (another qcode is writing): nothing saved yet, try again' };
          return;
        }
        if (!(error instanceof UserError)) throw error;
        const text = error.hint === undefined ? error.message : `${error.message} · ${error.hint}`;
        if (error instanceof SegmentGoneError) {
          // The session moved on from a document that is gone: the screen follows it, or the session ends with the refusal.
          view = source.view();
          if (view === null) {
            finish(error);
            return;
          }
          state = initialPickerState(catalog, view.given, text);
          shown = view.given;
          return;
        }
        state = { ...state, message: text };
        return;
      }
      const before = view;
      view = source.view();
      if (view === null) {
        finish('done');
        return;
      }
      if (keep === 'always' || (keep === 'unless-moved' && before !== null && sameSegment(before, view))) {
        state = { ...state, message };
        return;
      }
      state = initialPickerState(catalog, view.given, message);
      shown = view.given;
    };

    const onKey = (_text: string | undefined, key: Key | undefined): void => {
      if (finished || key === undefined) return;
      try {
        // A screen too small to show the segment takes no answer: only quit, and a resize redraws it.
        if (isTooSmall(size())) {
          if (key.ctrl && (key.name === 'c' || key.name === 'q' || key.name === 'd')) finish('quit');
          else draw();
          return;
        }
        const result = pressKey(catalog, state, key);
        state = result.state;
        const effect = result.effect;
        if (effect !== null) {
          switch (effect.kind) {
            case 'quit':
              finish('quit');
              return;
            case 'confirm':
              act(() => source.confirm(effect.codes, shown), 'never');
              break;
            case 'skip':
              act(() => source.skip(), 'never');
              break;
            case 'back':
              act(() => source.back(), 'unless-moved');
              break;
            case 'jump':
              act(() => source.jump(effect.ordinal), 'unless-moved');
              break;
            case 'memo':
              act(() => source.memo(effect.text), 'always');
              break;
            case 'editor':
              openEditor(effect.draft);
              break;
            case 'redraw':
              output.write('\u001b[2J');
              break;
            case 'scroll':
              // One line of the last page stays in view, to read on from. draw() caps it at the end.
              state = { ...state, scroll: Math.max(0, state.scroll + effect.pages * Math.max(1, page - 1)) };
              break;
          }
        }
        if (!finished) draw();
      } catch (error) {
        finish(error instanceof Error ? error : new Error(String(error)));
      }
    };

    const openEditor = (draft: string): void => {
      if (options.editText === undefined) {
        state = { ...state, message: 'no editor: type the memo here and press enter' };
        return;
      }
      leave();
      let text: string | null;
      try {
        text = options.editText(draft);
      } catch (error) {
        // A broken $EDITOR must not end the session: the memo stays on its line, to save with enter.
        if (!(error instanceof UserError) && typeof (error as { code?: unknown }).code !== 'string') throw error;
        const hint = error instanceof UserError && error.hint !== undefined ? ` · ${error.hint}` : '';
        state = { ...state, mode: 'memo', draft, message: `${(error as Error).message}${hint}` };
        return;
      } finally {
        enter();
      }
      if (text === null) state = { ...state, message: 'empty memo: nothing saved' };
      else act(() => source.memo(text), 'always');
    };

    const onSignal = (): void => finish('quit');
    // Should the process end some other way, the user's terminal still gets its normal screen back.
    const leaveOnExit = (): void => {
      output.write(LEAVE_SCREEN);
    };

    emitKeypressEvents(input);
    input.on('keypress', onKey);
    output.on('resize', draw);
    for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.on(signal, onSignal);
    process.once('exit', leaveOnExit);
    try {
      enter();
      draw();
    } catch (error) {
      finish(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
