from flask import render_template

from . import bp


@bp.get("/children")
def find():
    return render_template("conversations/list.html", title="Children", rows=[])
