-- Invitations: the end date of the membership an invitation offers (an external assurer's
-- access), kept with the invitation so it holds whether the person accepts through the link
-- (a new account) or from their account page (someone who already has one).
ALTER TABLE one_time_links ADD COLUMN membership_expires_at TEXT;
