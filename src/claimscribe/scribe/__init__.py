"""The scribe: a procedure dictation to ProcedureFacts (`claimscribe.scribe.extract`); speech to text is
`claimscribe.scribe.asr`."""
