-- Pinne schema, version 8: tally kinds and value groups added on the settings page
-- (/installningar, src/web/settings.rs; docs/CONFIGURATION.md).
--
-- kind.audience: who a kind's tallies are about or come from.
--   participants   the insats' participants (every kind before version 8, and entries, exits and
--                  events): offered under "Vad hände?" on the tally form.
--   collaboration  the association's collaboration: its board (styrelse), beredningsgrupp and the
--                  staff of the insatser, e.g. NNS' collaboration indicators in a "styrelseenkät".
--                  Offered on the tally form apart from the participants' kinds, so a board's
--                  questions are never asked among a participant's.
-- An entry or exit kind is always about participants.
ALTER TABLE kind ADD COLUMN audience TEXT NOT NULL DEFAULT 'participants'
    CHECK (audience IN ('participants', 'collaboration'));

-- kind.retired: a kind no longer used ("Sluta använda") takes no new tallies or events; its
-- stored ones stay in reports. Nothing is deleted.
ALTER TABLE kind ADD COLUMN retired INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1));

-- value_group.retired: a group no longer shown. A group is a view over its values (no tally or
-- count refers to it), so a retired group is left out of every report; the row, its key and its
-- members stay, and it can be shown again.
ALTER TABLE value_group ADD COLUMN retired INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1));
