-- Every conflict has at least one source on each side, source_a and source_b among them; every source
-- on a side and every position is a known source; a source holds one position per question, and each
-- advice conflict names its typed question.
SELECT 'conflict without a side' AS problem, c.conflict_id AS key FROM conflicts c
WHERE NOT EXISTS (SELECT 1 FROM conflict_sources s WHERE s.conflict_id = c.conflict_id AND s.side = 'a'
                  AND s.source_id = c.source_a)
   OR NOT EXISTS (SELECT 1 FROM conflict_sources s WHERE s.conflict_id = c.conflict_id AND s.side = 'b'
                  AND s.source_id = c.source_b)
UNION ALL SELECT 'unknown source on a side', s.conflict_id || ' ' || s.source_id FROM conflict_sources s
ANTI JOIN sources USING (source_id)
UNION ALL SELECT 'unknown source of a position', p.source_id FROM positions p ANTI JOIN sources USING (source_id)
UNION ALL SELECT 'two positions on one question', source_id || ' ' || question FROM positions
GROUP BY source_id, question HAVING count(*) > 1
UNION ALL SELECT 'advice conflict without a question', conflict_id FROM conflicts
WHERE kind = 'advice' AND question IS NULL
