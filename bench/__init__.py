"""`make bench`: seed a realistic instance, serve it with gunicorn, drive it over HTTP.

See bench/README.md. Entry point: `python -m bench.run [--quick] [--engines sqlite,postgresql]`.
"""
