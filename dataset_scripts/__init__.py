"""Builder modules, one per ecosystem: each defines `ECOSYSTEM` and an `EcosystemBuilder` subclass."""
