"""The WSGI app bench/event_list.py serves with gunicorn: Praktika plus a bare Flask "hello".

The "hello" app answers GET /hello on the same server (same gunicorn, same workers), so the
benchmark compares the event listing with the cheapest possible Flask response in one run.
It exists only here, never in the production app.
"""
from flask import Flask

from app import create_app

praktika = create_app()
hello = Flask("hello")


@hello.get("/hello")
def say_hello():
    return "hello"


def application(environ, start_response):
    """Route /hello to the bare app and everything else to Praktika."""
    target = hello if environ.get("PATH_INFO") == "/hello" else praktika
    return target(environ, start_response)
