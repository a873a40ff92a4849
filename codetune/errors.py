"""Exception types with messages that name the source, file or field and say what to do."""


class CodetuneError(Exception):
    """Base class: every error codetune raises on purpose derives from it."""


class EcosystemConfigError(CodetuneError):
    """An ecosystem definition (or CLI source spec) is malformed; the message names the field."""


class SourceError(CodetuneError):
    """A source cannot be read: missing path, unreachable URL, unknown revision, not a git repo."""


class OutputFolderError(CodetuneError):
    """The output folder holds another build; pass --overwrite to replace it."""


class EmptySourceError(SourceError):
    """A source has nothing to read (a repository with no commits, a tree with no files); skip or fill it."""


class LockFileError(EcosystemConfigError):
    """A lock file is missing or malformed; the message names the file, the entry and the field."""


class DiscoveryError(CodetuneError):
    """A GitHub search could not finish: rejected token, missing scope, bad answers, a rate limit too long."""


class EvaluationError(CodetuneError):
    """`codetune eval` cannot run: a missing model or base, no test split, a server that does not answer."""


class TrainingConfigError(CodetuneError):
    """A training recipe's arguments or data do not fit: the message names the field, dataset or config."""


class EvalDataError(CodetuneError):
    """Decontamination's evaluation data cannot be used: missing, empty, no text field, not in the cache."""


class ExportError(CodetuneError):
    """A trained model cannot be exported: no reachable base, an unsupported architecture, a bad GGUF."""


class SandboxUnavailableError(CodetuneError):
    """Generated code cannot be cut off from the network here; it runs only with --allow-unsandboxed-exec."""
