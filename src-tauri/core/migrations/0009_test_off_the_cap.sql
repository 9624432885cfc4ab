-- TEST campaigns send nothing real: they no longer count against the real daily cap.
-- Release what earlier versions reserved for them.
UPDATE messages SET counted_day = NULL
 WHERE counted_day IS NOT NULL
   AND campaign_id IN (SELECT id FROM campaigns WHERE mode = 'test');
