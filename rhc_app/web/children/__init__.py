from flask import Blueprint

bp = Blueprint("children", __name__)

from . import views  # noqa: E402,F401
