from flask import Blueprint

bp = Blueprint("conversations", __name__)

from . import views  # noqa: E402,F401
