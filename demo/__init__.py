"""The demo organisation and its history (`manage.py seed_demo`, the benchmarks' generators).

It sits at the top of the dependency graph: it may import every domain app, and no domain app imports it
(tests/demo/test_dependencies.py checks), so demo-only code never ships inside the apps it fills with data.
"""
