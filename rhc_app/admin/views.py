from flask import render_template

from . import bp


@bp.get("/admin/users")
def users():
    return render_template("conversations/list.html", title="Users", rows=[])
