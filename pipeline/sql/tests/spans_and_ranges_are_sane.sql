-- Offsets are ordered and inside the raw text; ranges are ordered; a dose has at least one bound.
SELECT 'mentions' AS t, mention_id AS row_key FROM mentions m JOIN sources s USING (source_id) WHERE m.char_start < 0 OR m.char_end <= m.char_start OR m.char_end > s.n_chars
UNION ALL SELECT 'dosages', mention_id FROM dosages d JOIN sources s USING (source_id) WHERE d.char_start < 0 OR d.char_end <= d.char_start OR d.char_end > s.n_chars
UNION ALL SELECT 'steps', mention_id FROM steps t JOIN sources s USING (source_id) WHERE t.char_start < 0 OR t.char_end <= t.char_start OR t.char_end > s.n_chars
UNION ALL SELECT 'dropped', source_id FROM dropped d JOIN sources s USING (source_id) WHERE d.char_start < 0 OR d.char_end <= d.char_start OR d.char_end > s.n_chars
UNION ALL SELECT 'dosage range', mention_id FROM dosages WHERE min_value > max_value OR (min_value IS NULL AND max_value IS NULL)
UNION ALL SELECT 'confidence', mention_id FROM mentions WHERE confidence < 0 OR confidence > 1 OR confidence IS NULL
