import re, pytest
from django.core.management import call_command
from django.urls import reverse
from portal.accounts.models import User
pytestmark = pytest.mark.django_db

def test_probe(client):
    call_command("seed_demo", verbosity=0)
    from services.models import Booking
    bk = Booking.objects.filter(user__username="founder").first()
    for name, url, words in [("founder", "/ideas/JDZ-2026-0001/", ["已解决", "市场监管"]), ("founder", "/ideas/JDZ-2026-0004/", ["未解决", "税务"]),
                             ("member", "/points/achievements/", ["先锋亮绩", "证照联办"]), ("staff", "/hall/desk/", ["人才公寓租住申请", "青年专区"]),
                             ("founder", f"/bookings/{bk.reference}/", ["青年专区"]), ("member", "/points/me/", ["小课堂", "件"])]:
        client.force_login(User.objects.get(username=name))
        client.post(reverse("set_language"), {"language": "en", "next": "/"})
        body = client.get(url).content.decode()
        for w in words:
            for m in list(re.finditer(w, body))[:2]:
                print(url, w, "::", re.sub(r"\s+", " ", body[max(0, m.start()-200):m.end()+60]))
