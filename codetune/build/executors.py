"""datatrove's local and Ray executors, starting a stage's largest tasks first.

A build's tasks differ in size: most hold about `task_bytes` of files, the last ones less by design
(`plan.TaskPacker`), and a file is never split. In rank order, a large task that happens to start last
keeps one worker busy while the others have nothing left to do. Started largest first (the
longest-processing-time rule), the workers finish close together. Only the order in which tasks start
changes; each task still writes the files of its own rank, so the output does not. Local workers import
this module (the forkserver preloads it), so it stays light.

Every process that runs tasks imports this module (the build process, forked and forkserver workers, Ray
workers unpickling an executor), so it is also where a per-task cost of datatrove's logging is paid once
per process instead (`cache_loguru_library_dirs`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

from datatrove.executor.local import LocalPipelineExecutor
from datatrove.executor.ray import RayPipelineExecutor


def cache_loguru_library_dirs() -> None:
    """Compute loguru's list of library folders once per process, not once per log sink.

    datatrove's `add_task_logger` adds two loguru sinks per task and `close_task_logger` re-adds the
    default one; each `logger.add` builds an exception formatter that asks `sysconfig` for four paths of
    every install scheme, copying its config variables each time: about 10 ms a sink, half a second of a
    one-process 50 MB build. The list only marks which traceback frames are library code, and neither
    `sysconfig` nor the installed schemes change while a build runs. A loguru without this private helper
    is left as it is.
    """
    try:
        from loguru._better_exceptions import ExceptionFormatter
    except ImportError:
        return
    compute = getattr(ExceptionFormatter, "_get_lib_dirs", None)
    if callable(compute) and not hasattr(compute, "cache_info"):
        ExceptionFormatter._get_lib_dirs = staticmethod(functools.cache(compute))


cache_loguru_library_dirs()

# Bytes per rank, or a function that measures them when the stage starts (sizes known only once the
# stage before it has written its output, like the assemble stage's inputs).
TaskSizes = Sequence[int] | Callable[[], Sequence[int]]


class LargestTasksFirst:
    """Orders the ranks every datatrove executor runs (`get_incomplete_ranks`) by task size, largest first.

    Ties, and stages whose sizes are unknown (`task_sizes` empty), keep rank order.
    """

    world_size: int

    def __init__(self, *args, task_sizes: TaskSizes = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.task_sizes = task_sizes if callable(task_sizes) else tuple(task_sizes)

    def get_incomplete_ranks(self, ranks=None, skip_completed=None) -> list[int]:
        incomplete = super().get_incomplete_ranks(ranks, skip_completed)  # type: ignore[misc]
        sizes = tuple(self.task_sizes()) if callable(self.task_sizes) else self.task_sizes
        if len(sizes) != self.world_size:
            return incomplete
        return sorted(incomplete, key=lambda rank: -sizes[rank])


class LocalExecutor(LargestTasksFirst, LocalPipelineExecutor):
    """datatrove's `LocalPipelineExecutor`, plus `task_sizes=`."""


class RayExecutor(LargestTasksFirst, RayPipelineExecutor):
    """datatrove's `RayPipelineExecutor`, plus `task_sizes=`."""
