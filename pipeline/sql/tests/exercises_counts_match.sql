-- n_sources is the number of sources that mention the exercise, and every exercise is mentioned.
SELECT e.exercise_id, e.n_sources, count(DISTINCT m.source_id) AS actual
FROM exercises e LEFT JOIN mentions m USING (exercise_id)
GROUP BY e.exercise_id, e.n_sources
HAVING e.n_sources <> count(DISTINCT m.source_id) OR count(m.mention_id) = 0
