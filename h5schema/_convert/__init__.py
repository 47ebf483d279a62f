"""Stage 5, schemas to and from other forms: inferred from a file, Python source, JSON Schema.

``infer`` declares what a file holds, ``codegen`` writes a schema as classes, ``jsonschema``
exports a JSON Schema for file manifests, with patterns rewritten by ``regex``.
"""
