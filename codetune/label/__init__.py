"""LLM labelling and synthesis on datatrove's inference runner (`codetune label`); see docs/labelling.md."""
