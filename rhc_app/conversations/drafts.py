def keep_expired_post(user_id, request):
    return None
