"""The corpus stages as pure functions over batches, and the engines that run them: local
(one process per core, streaming) and Dask (a LocalCluster or an existing scheduler)."""
