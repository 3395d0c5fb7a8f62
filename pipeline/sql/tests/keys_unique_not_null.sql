-- Every key of the contract views is unique and not null.
SELECT 'sources' AS view, source_id AS key FROM sources GROUP BY source_id HAVING count(*) > 1 OR source_id IS NULL
UNION ALL SELECT 'exercises', exercise_id FROM exercises GROUP BY exercise_id HAVING count(*) > 1 OR exercise_id IS NULL
UNION ALL SELECT 'mentions', mention_id FROM mentions GROUP BY mention_id HAVING count(*) > 1 OR mention_id IS NULL
UNION ALL SELECT 'conflicts', conflict_id FROM conflicts GROUP BY conflict_id HAVING count(*) > 1 OR conflict_id IS NULL
UNION ALL SELECT 'documents', source_id FROM documents GROUP BY source_id HAVING count(*) > 1 OR source_id IS NULL
