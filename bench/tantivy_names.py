#!/usr/bin/env python3
"""tantivy peer of `bench/src/bin/listindex.rs` (name substring lookup on the public lists).

    python3 bench/tantivy_names.py NAMES.tsv QUERIES.tsv OUT.tsv INDEX_DIR [MIN_SECONDS]

NAMES.tsv:   doc <TAB> name <TAB> listed_on (days since 1970-01-01), one row per entry.
QUERIES.tsv: class <TAB> query, one per line.
OUT.tsv:     one line per query: index <TAB> count <TAB> newest docs (comma separated)
             <TAB> mean seconds per run <TAB> runs.
A summary (build time, index size) is printed to stdout as `key=value` lines.

Indexing: every name as character bigrams *with their positions* (pre-tokenized), and a fast field
`rank = listed_on << 32 | doc`. A query of 2 characters is one term query; a longer one is a phrase
query of its bigrams at consecutive positions, so a hit is an exact substring match. Each query asks
for the count and the 20 hits with the highest rank (newest first, ties by doc descending: the
same order as ListIndex).

Why pre-tokenized: tantivy's own `Tokenizer.ngram(2, 2)` gives every n-gram position 0 (checked
with tantivy-py 0.27.0), so a phrase query of bigrams cannot require them to be adjacent; its
results would be "names containing all the bigrams", a superset, and counts would be too high.
"""
import os
import shutil
import sys
import time

import tantivy


def bigram_tokens(name):
    return [tantivy.Token(name[i:i + 2], i, i, i + 2) for i in range(len(name) - 1)]


def main():
    names_tsv, queries_tsv, out_tsv, index_dir = sys.argv[1:5]
    min_seconds = float(sys.argv[5]) if len(sys.argv) > 5 else 1.0
    max_runs = 1000

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("name", stored=False, tokenizer_name="raw", index_option="position")
    sb.add_integer_field("rank", fast=True, indexed=False)
    schema = sb.build()
    shutil.rmtree(index_dir, ignore_errors=True)
    os.makedirs(index_dir)
    index = tantivy.Index(schema, path=index_dir)

    t0 = time.perf_counter()
    writer = index.writer(heap_size=1_000_000_000, num_threads=2)
    rows = 0
    with open(names_tsv, encoding="utf-8") as f:
        for line in f:
            doc, name, listed_on = line.rstrip("\n").split("\t")
            d = tantivy.Document()
            d.add_pre_tokenized_text("name", tantivy.PreTokenizedString(name, bigram_tokens(name)))
            d.add_integer("rank", (int(listed_on) << 32) | int(doc))
            writer.add_document(d)
            rows += 1
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    build_s = time.perf_counter() - t0
    size = sum(
        os.path.getsize(os.path.join(dp, fn)) for dp, _, fns in os.walk(index_dir) for fn in fns
    )
    print(f"rows={rows}")
    print(f"build_seconds={build_s:.1f}")
    print(f"index_bytes={size}")
    searcher = index.searcher()
    print(f"docs={searcher.num_docs}")
    # What one call through tantivy-py costs with nothing to find (the binding's floor).
    empty = tantivy.Query.empty_query()
    t = time.perf_counter()
    for _ in range(10000):
        searcher.search(empty, 20, count=True, order_by_field="rank")
    print(f"empty_query_us={(time.perf_counter() - t) / 10000 * 1e6:.1f}")
    sys.stdout.flush()
    queries = []
    with open(queries_tsv, encoding="utf-8") as f:
        for line in f:
            cls, q = line.rstrip("\n").split("\t", 1)
            queries.append((cls, q.strip()))

    def make_query(q):
        grams = [q[i:i + 2] for i in range(len(q) - 1)]
        if len(grams) == 1:
            return tantivy.Query.term_query(schema, "name", grams[0])
        return tantivy.Query.phrase_query(schema, "name", list(enumerate(grams)))

    def run(q):
        r = searcher.search(make_query(q), 20, count=True, order_by_field="rank")
        return r.count, [k & 0xFFFFFFFF for k, _ in r.hits]

    with open(out_tsv, "w", encoding="utf-8") as out:
        for i, (_cls, q) in enumerate(queries):
            count, docs = run(q)  # warm-up, and the answer
            runs = 0
            t = time.perf_counter()
            while runs < max_runs:
                run(q)
                runs += 1
                if time.perf_counter() - t >= min_seconds / 50:
                    break
            mean = (time.perf_counter() - t) / runs
            out.write(f"{i}\t{count}\t{','.join(map(str, docs))}\t{mean:.9f}\t{runs}\n")


if __name__ == "__main__":
    main()
