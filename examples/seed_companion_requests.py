"""The seed era's companion example, as plain HTTP calls with `requests`: sign in with an
e-mail and a password, create a researcher user, then a project with a 2-GPU quota that
the new user may use.

It speaks the seed-era `/v1/k8s` API that older self-hosted control planes serve. Set the
three values below to your control plane's address and an administrator's credentials;
tests/test_examples.py runs it, with only those three changed, against the embedded fake
control plane.
"""

from __future__ import annotations

import requests

BASE_URL = "https://<COMPANY-URL>"
EMAIL = "<ADMIN-EMAIL>"
PASSWORD = "<ADMIN-PASSWORD>"


def main() -> None:
    login = requests.post(
        f"{BASE_URL}/v1/k8s/auth/login",
        json={"email": EMAIL, "password": PASSWORD},
        timeout=30,
    )
    login.raise_for_status()
    headers = {
        "Accept": "application/json",
        "Content-Type": "application/json",
        "Authorization": f"Bearer {login.json()['access_token']}",
    }

    clusters = requests.get(f"{BASE_URL}/v1/k8s/clusters", headers=headers, timeout=30)
    clusters.raise_for_status()
    cluster_uuid = clusters.json()[0]["clusterUuid"]
    departments = requests.get(
        f"{BASE_URL}/v1/k8s/clusters/{cluster_uuid}/departments", headers=headers, timeout=30
    )
    departments.raise_for_status()
    department_id = departments.json()[0]["id"]

    user = requests.post(
        f"{BASE_URL}/v1/k8s/users",
        headers=headers,
        json={
            "email": "researcher@example.com",
            "password": "Change-me-1st",
            "roles": ["researcher", "viewer"],
            "permittedClusters": [],
            "permitAllClusters": True,
            "needToChangePassword": True,
        },
        timeout=30,
    )
    user.raise_for_status()
    user_id = user.json()["userId"]
    print(f"user {user.json()['email']} ({user_id}) with roles {user.json()['roles']}")

    project = requests.post(
        f"{BASE_URL}/v1/k8s/projects",
        headers=headers,
        json={
            "name": "team-researcher",
            "clusterUuid": cluster_uuid,
            "departmentId": department_id,
            "deservedGpus": 2,
            "permissions": {"users": [user_id]},
        },
        timeout=30,
    )
    project.raise_for_status()
    created = project.json()
    print(
        f"project {created['name']} (id {created['id']}) with {created['deservedGpus']} GPUs"
        f" for {created['permissions']['users']}"
    )


if __name__ == "__main__":
    main()
