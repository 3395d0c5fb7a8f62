-- The public interface of kb-contract.md. Names and columns of these views are a contract.

CREATE VIEW sources AS
SELECT source_id, path, sha256, status, status_detail, title, n_chars, format, url, site_name, published,
       retrieved, licence
FROM src_sources;

CREATE VIEW documents AS
SELECT source_id, source_text, clean_text FROM src_documents;

CREATE VIEW dropped AS
SELECT source_id, char_start, char_end, text, reason FROM src_dropped;

CREATE VIEW exercises AS
SELECT exercise_id, name, aliases, n_sources FROM src_exercises;

CREATE VIEW mentions AS
SELECT m.mention_id, l.exercise_id, m.source_id, m.surface, m.char_start, m.char_end, m.polarity, m.named,
       m.method || '+' || l.method AS method,
       round(m.confidence * l.confidence, 3) AS confidence,
       m.name,
       m.polarity_evidence, m.polarity_char_start, m.polarity_char_end, m.cue_char_start, m.cue_char_end
FROM src_mentions m
JOIN src_links l USING (mention_id);

CREATE VIEW steps AS
SELECT s.mention_id, l.exercise_id, s.source_id, s.step_no, s.evidence, s.char_start, s.char_end
FROM src_steps s
JOIN src_links l USING (mention_id);

CREATE VIEW dosages AS
SELECT d.mention_id, l.exercise_id, d.source_id, d.attribute, d.min_value, d.max_value, d.per_side, d.approx,
       d.evidence, d.char_start, d.char_end
FROM src_dosages d
JOIN src_links l USING (mention_id);

CREATE VIEW advice AS
SELECT source_id, topic, stance, evidence, char_start, char_end FROM src_advice;

CREATE VIEW relations AS
SELECT exercise_a, exercise_b, relation FROM src_relations;

CREATE VIEW conflicts AS
SELECT c.conflict_id, c.exercise_id, c.topic, c.kind, c.source_a, c.source_b, c.value_a, c.value_b,
       c.evidence_a, c.evidence_b,
       coalesce(r.verdict, 'open') AS status,
       r.note,
       c.char_start_a, c.char_end_a, c.char_start_b, c.char_end_b, c.also_a, c.also_b, c.question,
       len(c.sources) AS n_sources, c.mention_a, c.mention_b
FROM src_conflicts c
LEFT JOIN src_reviews r USING (conflict_id);

-- Every source on each side of each conflict, with what it says there and its quote.
CREATE VIEW conflict_sources AS
SELECT c.conflict_id, s.side, s.source_id, s.value, s.evidence, s.char_start, s.char_end, s.cue_start, s.cue_end,
       s.mention_id
FROM src_conflicts c, unnest(c.sources) AS u(s);

-- What each source says on each typed advice question, summed up from its advice rows.
CREATE VIEW positions AS
SELECT source_id, question, topic, position, value, evidence, char_start, char_end, len(rows) AS n_rows
FROM src_positions;

-- The advice rows each position came from, and how the question read each one.
CREATE VIEW position_rows AS
SELECT p.source_id, p.question, r.topic, r.stance, r.answer, r.reading, r.evidence, r.char_start, r.char_end
FROM src_positions p, unnest(p.rows) AS u(r);

-- Verdicts in curated/reviews.csv whose conflict no longer exists: reported, never dropped.
CREATE VIEW stale_reviews AS
SELECT r.conflict_id, r.verdict, r.note, r.reviewed_at
FROM src_reviews r
ANTI JOIN src_conflicts c USING (conflict_id);
