"""The discover stage: GitHub search for an ecosystem's repositories, pinned into lock files for the build."""
