"""Claims: the Claim/ClaimLine model, ProcedureFacts, and readers/writers for JSON, FHIR R4, X12 837P, CSV."""
