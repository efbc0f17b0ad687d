-- POS (edits/pos.py), professional claims: a line from a non-facility place of service (k_pos.facility
-- false; a line without one takes the default place of service) whose code's global PFS row in the release
-- used has the non-facility NA indicator → the POS effect.

INSERT INTO findings
SELECT l.claim_id, l.line_number, 'POS', (SELECT value FROM k_param WHERE name = 'pos_effect')
FROM line_code l
JOIN cb.pfs_rvu g ON g.dataset_id = l.pfs_dataset AND g.hcpcs = l.code AND g.modifier = ''
JOIN k_pos p ON p.pos = coalesce(l.place_of_service,
                                 (SELECT value FROM k_param WHERE name = 'default_place_of_service'))
WHERE l.claim_type = 'professional' AND l.pfs_dataset IS NOT NULL AND g.nonfacility_na AND NOT p.facility;
