import requests

HEADERS = {"Authorization": "Bearer Vyc-D1Pf_dyVJJJ020BYww_7wmguljF9bX6d_nzE", "Accept": "application/json"}

def fetch(url):
    return requests.get(url, headers=HEADERS, timeout=10)

def legacy(url):
    return requests.get(url, headers={"Authorization": "Basic c3ZjLXJlcG9ydHM6TTduTUJUZGFUSWlsSGNnYw=="})
