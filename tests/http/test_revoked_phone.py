"""A desk phone the administrator revoked: told so when it syncs (not to log in), and the
login session used on it ends; a new code enrols it again without bringing back the old
token."""

from server.audit.tables import AuditEntry
from server.checks.tables import VisitorCheck
from server.devices.tables import Device
from tests.http.conftest import log_in
from tests.http.test_sync import ADMIN, enrolled_token, visitor_create
from tests.support import csrf_from

AS_BROWSER = {"accept": "text/html"}


async def revoke(client_as, device: str):
    async with client_as("admin") as admin:
        token = csrf_from((await admin.get("/admin/devices")).text)
        answer = await admin.post(f"/admin/devices/{device}/revoke", data={"_csrf_token": token})
        assert answer.status_code == 200


async def test_a_revoked_phone_is_told_it_was_revoked_and_its_entries_stay_unsent(
    anonymous, client_as
):
    device, token = await enrolled_token(anonymous)
    anonymous.headers["authorization"] = f"Device {token}"
    await revoke(client_as, device)
    mutation = visitor_create()
    push = await anonymous.post("/sync/push", json={"mutations": [mutation]})
    pull = await anonymous.get("/sync/pull")
    for answer in (push, pull):
        assert answer.status_code == 401 and answer.json()["error"] == "device_revoked"
        told = answer.json()["detail"]
        assert "管理员已停用本手机的登记" in told and "保存为文件" in told
    assert await VisitorCheck.count().where(VisitorCheck.id == mutation["entity_id"]) == 0
    unknown = await anonymous.get("/sync/pull", headers={"authorization": "Device not-a-token"})
    assert unknown.json()["error"] == "device_not_enrolled"


async def test_revoking_twice_keeps_the_first_revocation(anonymous, client_as):
    device, _ = await enrolled_token(anonymous)
    await revoke(client_as, device)
    first = await Device.select(Device.revoked_at).where(Device.id == device).first()
    await revoke(client_as, device)
    again = await Device.select(Device.revoked_at).where(Device.id == device).first()
    audited = AuditEntry.count().where(
        (AuditEntry.entity_id == device) & (AuditEntry.action == "revoke")
    )
    assert again == first and await audited == 1


async def test_the_login_used_on_a_revoked_phone_ends_and_other_desks_stay_logged_in(
    anonymous, client_as
):
    device, token = await enrolled_token(anonymous)
    await log_in(anonymous, "desk")
    synced = await anonymous.get("/sync/pull", headers={"authorization": f"Device {token}"})
    assert synced.status_code == 200
    async with client_as("desk") as other_desk:
        await revoke(client_as, device)
        ended = await anonymous.get("/desk", headers=AS_BROWSER)
        other = await other_desk.get("/desk", headers=AS_BROWSER)
    assert ended.url.path == "/login"
    assert other.url.path == "/desk" and other.status_code == 200
    # Logged in again on that phone, the desk works without enrolment; its token stays
    # refused until the phone is enrolled again.
    assert (await log_in(anonymous, "desk")).status_code == 303
    assert (await anonymous.get("/desk", headers=AS_BROWSER)).url.path == "/desk"


async def test_the_login_a_phone_enrolled_with_ends_when_it_is_revoked_before_it_synced(
    anonymous, client_as
):
    from server.devices import service as devices

    await log_in(anonymous, "desk")
    enrollment = await devices.create_device("未同步即停用", ADMIN)
    enrolled = await anonymous.post("/sync/enroll", json={"code": enrollment.code})
    assert enrolled.status_code == 201
    await revoke(client_as, enrolled.json()["device"])
    assert (await anonymous.get("/desk", headers=AS_BROWSER)).url.path == "/login"


async def test_a_new_code_enrols_a_revoked_phone_again_and_the_old_token_stays_dead(
    anonymous, client_as
):
    from server.devices import service as devices

    device, old_token = await enrolled_token(anonymous)
    await revoke(client_as, device)
    enrollment = await devices.new_code(device, ADMIN)
    old = await anonymous.get("/sync/pull", headers={"authorization": f"Device {old_token}"})
    assert old.status_code == 401 and old.json()["error"] == "device_not_enrolled"
    enrolled = await anonymous.post("/sync/enroll", json={"code": enrollment.code})
    assert enrolled.status_code == 201 and enrolled.json()["device"] == device
    new = {"authorization": f"Device {enrolled.json()['token']}"}
    mutation = visitor_create()
    pushed = await anonymous.post("/sync/push", json={"mutations": [mutation]}, headers=new)
    assert pushed.json()["results"][0]["status"] == "applied"
