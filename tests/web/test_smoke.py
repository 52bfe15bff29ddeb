def test_sign_in_page(client):
    r = client.get("/sign-in")
    assert r.status_code == 200
    assert "Sign in" in r.get_data(as_text=True)


def test_worker_signs_in(world, auth, client):
    r = auth.sign_in(world.user("north", "worker"))
    assert r.status_code == 302
    r = client.get("/")
    assert r.status_code == 200
