"""The collection nightly batch (催收夜间批处理): cases, strategy, contacts, queues — in bulk.

After the servicing cycle has aged every account, the night opens and closes cases, evaluates
the active strategy for every open case, proposes the contacts of the steps due, passes them
through the vectorised compliance gate, and writes the actions: messages to the outbox, calls
to the work queues with their value and owner. Set-based reads into Polars, bulk writes, one
transaction per shard of account ids. Operators' guide: docs/collection.md, "The nightly
batch".
"""

from arrears.collection.batch.night import (
    DEFAULT_SHARD_SIZE,
    NightResult,
    ShardResult,
    plan_shards,
    run_collection_night,
    run_collection_shard,
    shard_size,
)

__all__ = [
    "DEFAULT_SHARD_SIZE",
    "NightResult",
    "ShardResult",
    "plan_shards",
    "run_collection_night",
    "run_collection_shard",
    "shard_size",
]
