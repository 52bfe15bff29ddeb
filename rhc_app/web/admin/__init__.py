from flask import Blueprint

bp = Blueprint("admin", __name__)

from rhc_app.web.admin import action_kinds, views  # noqa: E402,F401
