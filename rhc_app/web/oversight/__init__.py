from flask import Blueprint

bp = Blueprint("oversight", __name__)

from rhc_app.web.oversight import views  # noqa: E402,F401
