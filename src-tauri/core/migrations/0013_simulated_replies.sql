-- TEST mode's simulated replies: the simulator "texts back" for some members of a TEST
-- campaign (STOP, YES, HELP, "Thanks!", "remove me"…) so that the whole flow can be seen
-- without Twilio. They are marked, answer only their TEST campaign, and what they mean is
-- kept on the TEST list (sender 'test'), which only TEST campaigns read: a simulated STOP
-- from a real member's number never reaches the real opt-out lists or iMIS.
ALTER TABLE replies ADD COLUMN simulated INTEGER NOT NULL DEFAULT 0 CHECK (simulated IN (0, 1));
