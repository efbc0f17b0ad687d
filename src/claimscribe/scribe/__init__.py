"""The scribe: a procedure dictation in, ProcedureFacts out (`claimscribe.scribe.extract`)."""
