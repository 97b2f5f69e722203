import type { CodingSession, SessionView } from '../../app/coding.js';
import { plural } from '../../core/codebook-plan.js';
import { UserError } from '../../core/errors.js';
import { shellQuote } from '../../core/shell.js';
import type { PickerCode, PickerDimension } from './picker.js';
import type { CoderSource, PendingWork } from './terminal.js';
import type { CoderView } from './screen.js';

export { shellQuote };

/** "R07 · Vilnius · segment 12/148 · 8% coded" */
export function sessionTitle(view: SessionView): string {
  const { document, segment } = view;
  const percent = document.segments === 0 ? 0 : Math.floor((document.seen * 100) / document.segments);
  return [document.caseId ?? document.slug, document.place, `segment ${segment.ordinal}/${document.segments}`, `${percent}% coded`]
    .filter((part): part is string => part !== null)
    .join(' · ');
}

function speakerLabel(ordinal: number, speaker: string | null): string {
  return speaker === null ? `${ordinal}` : `${ordinal} ${speaker}:`;
}

/** The text without a leading "Speaker:" that the label already shows (segmenters differ in keeping it). */
function withoutSpeaker(text: string, speaker: string | null): string {
  return speaker !== null && text.startsWith(`${speaker}:`) ? text.slice(speaker.length + 1).trimStart() : text;
}

/** The picker's dimensions and codes for a session's scope. */
export function sessionCatalog(session: CodingSession): { dimensions: PickerDimension[]; codes: PickerCode[] } {
  const inScope = new Set(session.scope.map((code) => code.dimensionId));
  return {
    dimensions: [...session.index.dimensions.values()].filter((dimension) => inScope.has(dimension.id)),
    codes: session.scope,
  };
}

/** Adapts a CodingSession to the coder's screen: what to show and where each answer goes. */
export function sessionSource(session: CodingSession, languages: readonly string[], forcedLanguage?: string): CoderSource {
  let lastDocument = session.currentDocument;
  const withDocumentNote = (message: string): string => {
    const now = session.currentDocument;
    const note = now !== null && now !== lastDocument ? ` · now ${now}` : '';
    lastDocument = now;
    return message + note;
  };
  return {
    view(): CoderView | null {
      const view = session.view();
      if (view === null) return null;
      const { document, segment } = view;
      const coded = view.given.length + view.otherCodings.length === 0
        ? segment.seen ? `Seen by ${session.coder.name}, no code` : `Not coded yet by ${session.coder.name}`
        : `Coded by ${session.coder.name}: ${[...view.given, ...view.otherCodings].join(', ')}`;
      const memos = view.memos.map((memo) => `Memo: ${memo.replace(/\s+/g, ' ')}`);
      const language = forcedLanguage ?? (document.language !== null && languages.includes(document.language) ? document.language : undefined);
      return {
        title: sessionTitle(view),
        // The title starts with the slug when the document has no case; no need to say it twice.
        titleRight: [document.caseId === null ? null : document.slug, session.coder.name, session.dimension].filter(Boolean).join(' · '),
        previous: view.previous === null ? null : { label: speakerLabel(view.previous.ordinal, view.previous.speaker), text: withoutSpeaker(view.previous.text, view.previous.speaker) },
        current: { label: speakerLabel(segment.ordinal, segment.speaker), text: withoutSpeaker(segment.text, segment.speaker) },
        given: view.given,
        notes: [coded, ...memos.slice(0, 2), ...(memos.length > 2 ? [`(+${memos.length - 2} more memos: qcode memo list --document ${document.slug})`] : [])],
        language,
        jumpRange: `1–${document.segments}`,
      };
    },
    confirm(codes, shown) {
      const ordinal = session.currentOrdinal;
      const { added, removed, elsewhere } = session.confirm(codes, shown);
      const changes = [...added.map((id) => `+${id}`), ...removed.map((id) => `−${id}`)];
      let saved = changes.length > 0 ? changes.join(' ') : codes.length > 0 ? 'codes unchanged' : 'seen, no code';
      if (elsewhere !== undefined) {
        // Another process (qcode tag, undo, a second coder screen) wrote here meanwhile: its work stands, and the coder is told.
        const theirs = [...elsewhere.added.map((id) => `+${id}`), ...elsewhere.removed.map((id) => `−${id}`)].join(' ');
        if (changes.length === 0) saved = 'no change of yours';
        saved += `; ${session.coder.name}'s codes here changed elsewhere since the screen was drawn, and that change was kept: ${theirs}`;
      }
      return withDocumentNote(`Saved segment ${ordinal}: ${saved}`);
    },
    skip() {
      const ordinal = session.currentOrdinal;
      session.skip();
      return withDocumentNote(`Skipped segment ${ordinal} (marked seen)`);
    },
    back() {
      return session.back() ? undefined : 'This is the first segment.';
    },
    jump(ordinal) {
      session.jump(ordinal);
      return undefined;
    },
    memo(text) {
      refuseUndecodable(text);
      session.addMemo(text);
      return 'Memo saved.';
    },
  };
}

/**
 * Refuses text holding U+FFFD: what a terminal sends in another charset than UTF-8 decodes to it, and
 * saving it would lose the memo's words silently.
 */
export function refuseUndecodable(text: string): void {
  if (text.includes('\uFFFD')) {
    throw new UserError('the memo has characters that did not arrive as UTF-8 (shown as \uFFFD): nothing saved', {
      hint: 'set a UTF-8 locale for the terminal (e.g. LANG=ru_RU.UTF-8) and type it again',
    });
  }
}

/** One line for the end of a session; `discarded`: what was on screen and not saved when the coder quit. */
export function sessionSummary(session: CodingSession, outcome: 'done' | 'quit', discarded?: PendingWork): string {
  const answered = `${plural(session.answered, 'segment')} answered`;
  if (outcome === 'done') {
    return session.onlyUncoded
      ? `Done: ${answered}; ${session.coder.name} has been through every uncoded segment here.`
      : `Done: ${answered}; ${session.coder.name} has no segment left to code here.`;
  }
  const lost = discardedText(session, discarded);
  return lost === null
    ? `Stopped: ${answered}, all saved. Resume with: ${resumeCommand(session)}`
    : `Stopped: ${answered} and saved; ${lost}. Resume with: ${resumeCommand(session)}`;
}

/** "the unsaved change on r02-riga-en:3 (+forms.protest) was not saved", or null when nothing was pending. */
function discardedText(session: CodingSession, discarded: PendingWork | undefined): string | null {
  if (discarded === undefined) return null;
  const changes = [...discarded.added.map((id) => `+${id}`), ...discarded.removed.map((id) => `−${id}`)];
  const parts = [
    ...(changes.length > 0 ? [`the unsaved change (${changes.join(' ')})`] : []),
    ...(discarded.memoDraft ? ['the memo being typed'] : []),
  ];
  if (parts.length === 0) return null;
  const ordinal = session.currentOrdinal;
  const where = session.currentDocument === null || ordinal === null ? '' : ` on ${session.currentDocument}:${ordinal}`;
  return `${parts.join(' and ')}${where} ${parts.length > 1 ? 'were' : 'was'} not saved`;
}

/**
 * The command that goes on where the session stopped, with every option that chose its segments. A
 * session opened without DOCUMENT resumes without it: named, the document would end the next session.
 */
function resumeCommand(session: CodingSession): string {
  const speaker = session.speaker;
  const where = session.openedOnDocument ? session.currentDocument : null;
  const words = ['qcode', 'code', ...(where === null ? [] : [shellQuote(where)]), '--coder', shellQuote(session.coder.name)];
  if (session.dimension !== null) words.push('--dimension', shellQuote(session.dimension));
  if (speaker !== null) words.push('--speaker', shellQuote(speaker));
  if (session.onlyUncoded) words.push('--only-uncoded');
  return words.join(' ');
}
