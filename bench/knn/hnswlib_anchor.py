"""hnswlib anchor for bench/knn: builds an HNSW index over the same vectors Lodestone indexes and
answers the same queries one at a time, as a client would, once per ef_search. Reads float32
row-major files written by ann.ts and prints one JSON object (build seconds; per ef_search,
queries/s and recall@k against the exact answers).

    /usr/bin/python3 hnswlib_anchor.py DIR  (DIR holds base.f32, queries.f32, truth.i32, params.json)
"""
import json
import os
import sys
import time

import hnswlib
import numpy as np


def main(folder: str) -> None:
    params = json.load(open(os.path.join(folder, "params.json")))
    dim, k = params["dim"], params["k"]
    base = np.fromfile(os.path.join(folder, "base.f32"), dtype=np.float32).reshape(-1, dim)
    queries = np.fromfile(os.path.join(folder, "queries.f32"), dtype=np.float32).reshape(-1, dim)
    truth = np.fromfile(os.path.join(folder, "truth.i32"), dtype=np.int32).reshape(-1, k)

    index = hnswlib.Index(space=params["space"], dim=dim)
    index.init_index(max_elements=len(base), ef_construction=params["ef_construction"], M=params["m"])
    index.set_num_threads(params["build_threads"])
    started = time.perf_counter()
    index.add_items(base, np.arange(len(base)))
    build_seconds = time.perf_counter() - started

    index.set_num_threads(1)
    runs = []
    for ef in params["ef_search"]:
        index.set_ef(ef)
        for q in queries[: params["warmup"]]:
            index.knn_query(q, k=k)
        found = np.zeros((len(queries), k), dtype=np.int64)
        started = time.perf_counter()
        for i, q in enumerate(queries):
            labels, _ = index.knn_query(q, k=k)
            found[i] = labels[0]
        seconds = time.perf_counter() - started
        hits = sum(len(set(found[i]) & set(truth[i])) for i in range(len(queries)))
        runs.append({"ef_search": ef, "qps": len(queries) / seconds, "recall_at_k": hits / (len(queries) * k)})
    print(json.dumps({
        "engine": f"hnswlib {getattr(hnswlib, '__version__', '(Debian python3-hnswlib)')}",
        "build_seconds": build_seconds,
        "runs": runs,
    }))

if __name__ == "__main__":
    main(sys.argv[1])
