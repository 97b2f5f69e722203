import type { Db } from './db.js';

// Each entry moves the schema from user_version N to N+1. Never edit a migration that has shipped:
// add a new one. The schema is documented in docs/schema.md; analysts query it directly.

export const MIGRATIONS: readonly string[] = [
  /* 1: the data model of docs/schema.md */ `
  CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE dimensions (
    id          TEXT PRIMARY KEY,
    label       TEXT NOT NULL,
    labels      TEXT NOT NULL DEFAULT '{}',
    description TEXT,
    exclusive   INTEGER NOT NULL DEFAULT 0 CHECK (exclusive IN (0, 1)),
    color       TEXT,
    status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
    ord         INTEGER NOT NULL
  );

  CREATE TABLE codes (
    id           TEXT PRIMARY KEY,
    dimension_id TEXT NOT NULL REFERENCES dimensions (id) ON UPDATE CASCADE,
    parent_id    TEXT REFERENCES codes (id) ON UPDATE CASCADE,
    label        TEXT NOT NULL,
    labels       TEXT NOT NULL DEFAULT '{}',
    definition   TEXT,
    include      TEXT,
    exclude      TEXT,
    examples     TEXT NOT NULL DEFAULT '[]',
    color        TEXT,
    status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
    ord          INTEGER NOT NULL
  );
  CREATE INDEX codes_dimension ON codes (dimension_id, ord);

  CREATE TABLE codebook_versions (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    sha256     TEXT NOT NULL,
    yaml       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  );

  CREATE TABLE attributes (
    name         TEXT PRIMARY KEY,
    type         TEXT NOT NULL CHECK (type IN ('category', 'number', 'date', 'text')),
    label        TEXT NOT NULL,
    labels       TEXT NOT NULL DEFAULT '{}',
    description  TEXT,
    allowed      TEXT,
    value_labels TEXT NOT NULL DEFAULT '{}',
    min          REAL,
    max          REAL,
    status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
    ord          INTEGER NOT NULL
  );

  CREATE TABLE hypotheses (
    id          TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    description TEXT,
    rows        TEXT NOT NULL,
    columns     TEXT NOT NULL,
    ord         INTEGER NOT NULL
  );

  CREATE TABLE cases (
    id   TEXT PRIMARY KEY,
    kind TEXT NOT NULL DEFAULT 'participant'
  );

  CREATE TABLE case_values (
    case_id   TEXT NOT NULL REFERENCES cases (id) ON UPDATE CASCADE ON DELETE CASCADE,
    attribute TEXT NOT NULL REFERENCES attributes (name) ON UPDATE CASCADE,
    value     TEXT NOT NULL,
    PRIMARY KEY (case_id, attribute)
  ) WITHOUT ROWID;
  CREATE INDEX case_values_attribute ON case_values (attribute, value);

  CREATE TABLE documents (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    case_id     TEXT REFERENCES cases (id) ON UPDATE CASCADE ON DELETE SET NULL,
    title       TEXT,
    kind        TEXT NOT NULL DEFAULT 'interview' CHECK (kind IN ('interview', 'survey', 'web', 'chat')),
    language    TEXT,
    source_path TEXT,
    format      TEXT NOT NULL,
    encoding    TEXT,
    sha256      TEXT NOT NULL,
    text        TEXT NOT NULL,
    imported_at TEXT NOT NULL
  );
  CREATE INDEX documents_sha256 ON documents (sha256);
  CREATE INDEX documents_case ON documents (case_id);

  CREATE TABLE segments (
    id          INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    ordinal     INTEGER NOT NULL,
    speaker     TEXT,
    start       INTEGER NOT NULL,
    "end"       INTEGER NOT NULL,
    text        TEXT NOT NULL,
    t_start     INTEGER,
    t_end       INTEGER,
    UNIQUE (document_id, ordinal),
    CHECK (start >= 0 AND "end" >= start)
  );

  CREATE VIRTUAL TABLE segments_fts USING fts5 (
    text, content = 'segments', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
  );
  CREATE TRIGGER segments_fts_insert AFTER INSERT ON segments BEGIN
    INSERT INTO segments_fts (rowid, text) VALUES (new.id, new.text);
  END;
  CREATE TRIGGER segments_fts_delete AFTER DELETE ON segments BEGIN
    INSERT INTO segments_fts (segments_fts, rowid, text) VALUES ('delete', old.id, old.text);
  END;
  CREATE TRIGGER segments_fts_update AFTER UPDATE OF text ON segments BEGIN
    INSERT INTO segments_fts (segments_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO segments_fts (rowid, text) VALUES (new.id, new.text);
  END;

  CREATE TABLE coders (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
  );

  -- A segment or code with codings cannot be deleted (RESTRICT): no coding is ever dropped silently.
  CREATE TABLE codings (
    id         INTEGER PRIMARY KEY,
    segment_id INTEGER NOT NULL REFERENCES segments (id) ON DELETE RESTRICT,
    code_id    TEXT NOT NULL REFERENCES codes (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    coder_id   INTEGER NOT NULL REFERENCES coders (id) ON DELETE RESTRICT,
    start      INTEGER,
    "end"      INTEGER,
    created_at TEXT NOT NULL,
    CHECK ((start IS NULL) = ("end" IS NULL) AND (start IS NULL OR "end" >= start))
  );
  CREATE UNIQUE INDEX codings_unique ON codings (segment_id, code_id, coder_id, ifnull(start, -1), ifnull("end", -1));
  CREATE INDEX codings_code ON codings (code_id, segment_id);
  CREATE INDEX codings_coder ON codings (coder_id, segment_id);

  CREATE TABLE seen (
    segment_id INTEGER NOT NULL REFERENCES segments (id) ON DELETE CASCADE,
    coder_id   INTEGER NOT NULL REFERENCES coders (id),
    at         TEXT NOT NULL,
    PRIMARY KEY (coder_id, segment_id)
  ) WITHOUT ROWID;

  -- Progress of a coder's one-dimension pass (qcode code --dimension D), so that a second pass resumes where it stopped.
  CREATE TABLE seen_dimensions (
    segment_id   INTEGER NOT NULL REFERENCES segments (id) ON DELETE CASCADE,
    coder_id     INTEGER NOT NULL REFERENCES coders (id),
    dimension_id TEXT NOT NULL REFERENCES dimensions (id) ON UPDATE CASCADE ON DELETE CASCADE,
    at           TEXT NOT NULL,
    PRIMARY KEY (coder_id, dimension_id, segment_id)
  ) WITHOUT ROWID;

  CREATE TABLE memos (
    id          INTEGER PRIMARY KEY,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('project', 'document', 'segment', 'code', 'case')),
    target_id   TEXT,
    coder_id    INTEGER REFERENCES coders (id),
    text        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
  );
  CREATE INDEX memos_target ON memos (target_kind, target_id);

  -- Append-only audit log. batch groups the events of one command (tag --from, autocode) so undo reverts them together.
  CREATE TABLE events (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    coder_id INTEGER REFERENCES coders (id),
    action   TEXT NOT NULL,
    batch    TEXT,
    payload  TEXT NOT NULL DEFAULT '{}'
  );
  CREATE INDEX events_coder ON events (coder_id, id);
  CREATE INDEX events_batch ON events (batch);
  `,

  /* 2: the full-text index sees ё as е (ещё / еще), through a view of the folded text */ `
  DROP TRIGGER segments_fts_insert;
  DROP TRIGGER segments_fts_delete;
  DROP TRIGGER segments_fts_update;
  DROP TABLE segments_fts;

  CREATE VIEW segments_search (id, text) AS
    SELECT id, replace(replace(text, 'ё', 'е'), 'Ё', 'Е') FROM segments;
  CREATE VIRTUAL TABLE segments_fts USING fts5 (
    text, content = 'segments_search', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
  );
  CREATE TRIGGER segments_fts_insert AFTER INSERT ON segments BEGIN
    INSERT INTO segments_fts (rowid, text) VALUES (new.id, replace(replace(new.text, 'ё', 'е'), 'Ё', 'Е'));
  END;
  CREATE TRIGGER segments_fts_delete AFTER DELETE ON segments BEGIN
    INSERT INTO segments_fts (segments_fts, rowid, text) VALUES ('delete', old.id, replace(replace(old.text, 'ё', 'е'), 'Ё', 'Е'));
  END;
  CREATE TRIGGER segments_fts_update AFTER UPDATE OF text ON segments BEGIN
    INSERT INTO segments_fts (segments_fts, rowid, text) VALUES ('delete', old.id, replace(replace(old.text, 'ё', 'е'), 'Ё', 'Е'));
    INSERT INTO segments_fts (rowid, text) VALUES (new.id, replace(replace(new.text, 'ё', 'е'), 'Ё', 'Е'));
  END;
  INSERT INTO segments_fts (segments_fts) VALUES ('rebuild');
  `,

  /* 3: seen means gone through for every dimension; a one-dimension pass marks seen_dimensions only */ `
  -- Until now a one-dimension pass also wrote seen, with the same timestamp as its pass mark.
  DELETE FROM seen WHERE EXISTS (
    SELECT 1 FROM seen_dimensions v WHERE v.coder_id = seen.coder_id AND v.segment_id = seen.segment_id AND v.at = seen.at);
  `,

  /* 4: codings_code also holds the coder and the span, so counting and retrieving a code read the index alone */ `
  DROP INDEX codings_code;
  CREATE INDEX codings_code ON codings (code_id, segment_id, coder_id, start, "end");
  `,

  /* 5: tombstones of documents and cases removed on a participant's withdrawal of consent (qcode docs|cases remove) */ `
  -- No text: what proves a file or a colleague's copy holds a removed document is the sha256 of its text.
  CREATE TABLE removed_documents (
    id         INTEGER PRIMARY KEY,
    sha256     TEXT NOT NULL,
    slug       TEXT NOT NULL,
    case_id    TEXT,
    removed_at TEXT NOT NULL
  );
  CREATE INDEX removed_documents_sha256 ON removed_documents (sha256);

  CREATE TABLE removed_cases (
    id         TEXT PRIMARY KEY,
    removed_at TEXT NOT NULL
  ) WITHOUT ROWID;

  -- The sha256 of each earlier text of a document (import --replace): a removal tombstones every version,
  -- so that a colleague's copy or a file holding an earlier version does not bring the participant back.
  CREATE TABLE document_versions (
    document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    sha256      TEXT NOT NULL,
    replaced_at TEXT NOT NULL,
    PRIMARY KEY (document_id, sha256)
  ) WITHOUT ROWID;

  CREATE TRIGGER documents_keep_version AFTER UPDATE OF sha256 ON documents WHEN OLD.sha256 <> NEW.sha256 BEGIN
    INSERT OR IGNORE INTO document_versions (document_id, sha256, replaced_at) VALUES (OLD.id, OLD.sha256, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
  END;
  `,

  /* 6: per code, the segments that carry it and its codings, kept by triggers, so stats need not read every coding */ `
  -- Triggers rather than the application keep the counts, so no write path (tag, undo, merge, a codebook
  -- rename's cascade, erasure, REFI import, a colleague's sqlite3 shell) can leave them behind. A REPLACE on
  -- codings would delete rows without firing the delete trigger (recursive_triggers is off): none is written.
  CREATE TABLE code_counts (
    code_id  TEXT PRIMARY KEY,
    segments INTEGER NOT NULL,
    codings  INTEGER NOT NULL
  ) WITHOUT ROWID;
  INSERT INTO code_counts (code_id, segments, codings)
    SELECT code_id, count(DISTINCT segment_id), count(*) FROM codings GROUP BY code_id;

  -- The new row is already in codings_code: the segment is new to the code if no other row has the pair.
  CREATE TRIGGER codings_count_insert AFTER INSERT ON codings BEGIN
    INSERT INTO code_counts (code_id, segments, codings)
      VALUES (new.code_id, NOT EXISTS (SELECT 1 FROM codings WHERE code_id = new.code_id AND segment_id = new.segment_id AND id <> new.id), 1)
      ON CONFLICT (code_id) DO UPDATE SET codings = codings + 1, segments = segments + excluded.segments;
  END;
  CREATE TRIGGER codings_count_delete AFTER DELETE ON codings BEGIN
    UPDATE code_counts SET codings = codings - 1,
      segments = segments - NOT EXISTS (SELECT 1 FROM codings WHERE code_id = old.code_id AND segment_id = old.segment_id)
      WHERE code_id = old.code_id;
    DELETE FROM code_counts WHERE code_id = old.code_id AND codings = 0;
  END;
  -- A code merged into another (UPDATE OR IGNORE) or renamed (ON UPDATE CASCADE) moves its codings.
  -- Only a real move: with the pair unchanged, the row itself would hide the old side's decrement.
  CREATE TRIGGER codings_count_update AFTER UPDATE OF code_id, segment_id ON codings
    WHEN old.code_id IS NOT new.code_id OR old.segment_id IS NOT new.segment_id BEGIN
    UPDATE code_counts SET codings = codings - 1,
      segments = segments - NOT EXISTS (SELECT 1 FROM codings WHERE code_id = old.code_id AND segment_id = old.segment_id)
      WHERE code_id = old.code_id;
    DELETE FROM code_counts WHERE code_id = old.code_id AND codings = 0;
    INSERT INTO code_counts (code_id, segments, codings)
      VALUES (new.code_id, NOT EXISTS (SELECT 1 FROM codings WHERE code_id = new.code_id AND segment_id = new.segment_id AND id <> new.id), 1)
      ON CONFLICT (code_id) DO UPDATE SET codings = codings + 1, segments = segments + excluded.segments;
  END;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Moves a store from schema `from` to SCHEMA_VERSION in one transaction: a failed migration leaves it as it was. */
export function migrateFrom(db: Db, from: number): void {
  const upgrade = db.transaction(() => {
    for (let version = from; version < SCHEMA_VERSION; version++) {
      db.exec(MIGRATIONS[version] as string);
      db.pragma(`user_version = ${version + 1}`);
    }
  });
  upgrade.immediate();
}
