"""Which follow-up of a close contact is abnormal: a fever by the policy's threshold, or
symptoms (not the words the office types for none)."""

from server.incidents.escalation import abnormal
from server.policy.service import Policy


def test_a_fever_is_judged_by_the_policys_threshold():
    policy = Policy(fever_threshold=37.9)
    assert abnormal(37.9, "", policy) and abnormal(38.4, "", policy)
    assert not abnormal(37.8, "", policy) and not abnormal(None, "", policy)


def test_symptoms_are_abnormal_whatever_the_temperature_and_none_is_not_a_symptom():
    assert abnormal(36.5, "咳嗽", Policy()) and abnormal(None, "cough", Policy())
    assert not any(abnormal(36.5, none, Policy()) for none in ("", " 无 ", "没有", "None", "-"))
