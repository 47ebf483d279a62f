"""Stage 5, comparing schema versions: every change, marked compatible or breaking.

``changes`` is the entry point (:func:`diff`), ``groups`` and ``fields`` compare declarations,
``widening`` answers whether one declaration accepts everything another does.
"""
