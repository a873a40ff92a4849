"""datatrove's local and Ray executors, starting a stage's largest tasks first.

A build's tasks differ in size: most hold about `task_bytes` of files, the last ones less by design
(`plan.TaskPacker`), and a file is never split. In rank order, a large task that happens to start last
keeps one worker busy while the others have nothing left to do. Started largest first (the
longest-processing-time rule), the workers finish close together. Only the order in which tasks start
changes; each task still writes the files of its own rank, so the output does not. Local workers import
this module (the forkserver preloads it), so it stays light.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from datatrove.executor.local import LocalPipelineExecutor
from datatrove.executor.ray import RayPipelineExecutor

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
