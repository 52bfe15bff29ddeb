from flask import Blueprint

bp = Blueprint("children", __name__)

from rhc_app.web.children import views  # noqa: E402,F401
