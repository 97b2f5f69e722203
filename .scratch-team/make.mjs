import Database from 'better-sqlite3';
import { MIGRATIONS } from '/work/main/dist/store/migrations.js';
import { rmSync } from 'node:fs';
const path = process.argv[2];
rmSync(path, { force: true });
const db = new Database(path);
db.pragma('journal_mode = WAL');
db.exec(MIGRATIONS[0]);
db.pragma('user_version = 1');
const t0 = Date.now();
db.transaction(() => {
  db.prepare("INSERT INTO dimensions (id,label,ord) VALUES ('d','D',0)").run();
  const codes = [];
  for (let i = 0; i < 60; i++) { const id = 'd.c' + i; codes.push(id); db.prepare("INSERT INTO codes (id,dimension_id,label,ord) VALUES (?,'d',?,?)").run(id, id, i); }
  db.prepare("INSERT INTO coders (name) VALUES ('anna'),('boris')").run();
  const insDoc = db.prepare("INSERT INTO documents (slug, format, sha256, text, imported_at) VALUES (?, 'txt', ?, 'x', 'now')");
  const insSeg = db.prepare('INSERT INTO segments (document_id, ordinal, start, "end", text) VALUES (?,?,0,1,?)');
  const insSeen = db.prepare("INSERT INTO seen (segment_id, coder_id, at) VALUES (?,?,'now')");
  const insCod = db.prepare("INSERT OR IGNORE INTO codings (segment_id, code_id, coder_id, created_at) VALUES (?,?,?,'now')");
  let seed = 1; const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  let segs = 0;
  for (let d = 0; d < 1500; d++) {
    const doc = insDoc.run('doc' + d, 'h' + d).lastInsertRowid;
    for (let o = 1; o <= 100; o++) {
      const s = insSeg.run(doc, o, 'segment text number ' + o).lastInsertRowid; segs++;
      insSeen.run(s, 1); insSeen.run(s, 2);
      for (let k = 0; k < 3; k++) {
        const c = codes[Math.floor(rnd() * 60)];
        insCod.run(s, c, 1);
        insCod.run(s, rnd() < 0.8 ? c : codes[Math.floor(rnd() * 60)], 2);
      }
    }
  }
})();
console.log('built', Date.now() - t0, db.prepare('select count(*) n from codings').get());
