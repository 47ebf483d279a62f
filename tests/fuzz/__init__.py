"""A fuzz harness for the validator: mutants of varied valid files through ``h5schema validate``.

- ``corpus``: the seed files and their schemas (``schemas``);
- ``mutate``: deterministic mutators (bit flips, random bytes, truncation, zeroed ranges, copied
  and inserted blocks, aimed header fields and data chunks);
- ``run``: the harness, ``python -m tests.fuzz --count 10000 --jobs 2`` (``--replay N`` for one).
"""
