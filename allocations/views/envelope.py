"""An envelope and its movements: DGER adds movements, regional staff read their own."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from allocations import permissions, services
from allocations.forms import MovementForm
from allocations.models import Envelope
from core.access import enforce
from core.formatting import format_hours


def envelope_detail(request, pk):
    envelope = get_object_or_404(
        Envelope.objects.visible_to(request.user).select_related("campaign", "region", "notified_by").with_hours(),
        pk=pk,
    )
    can_add = permissions.can_add_movement(request.user, envelope)[0]
    form = MovementForm(request.POST or None, initial={"effective_date": timezone.localdate()}) if can_add else None
    if request.method == "POST":
        enforce(permissions.can_add_movement(request.user, envelope))
        if form.is_valid():
            data = form.cleaned_data
            try:
                movement = services.add_movement(
                    request.user, envelope, data["kind"], data["hours"], data["effective_date"], data["reason"]
                )
            except services.AllocationError as error:
                form.add_error("hours", str(error))
            else:
                messages.success(
                    request,
                    f"Mouvement enregistré : {movement.get_kind_display().lower()} de "
                    f"{format_hours(abs(movement.hours))}.",
                )
                return redirect("allocations:envelope", envelope.pk)
    movements = envelope.movements.select_related("author").order_by("effective_date", "created_at", "pk")
    running, timeline = 0, []
    for movement in movements:
        running += movement.hours
        timeline.append({"movement": movement, "balance": running})
    return render(
        request,
        "allocations/envelope_detail.html",
        {"envelope": envelope, "timeline": timeline, "form": form},
    )
