-- Each exercise's steps in a source are numbered 1..n without gaps.
SELECT mention_id, count(*) AS n, max(step_no) AS last, min(step_no) AS first
FROM steps GROUP BY mention_id
HAVING min(step_no) <> 1 OR max(step_no) <> count(*) OR count(DISTINCT step_no) <> count(*)
