from flask import render_template

from . import bp


@bp.get("/")
def my_list():
    return render_template("conversations/list.html", title="My conversations", rows=[])
