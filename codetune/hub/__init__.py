"""The hub stage: pushing a build to the Hub, and the `datasets` builder over the build pipeline."""
