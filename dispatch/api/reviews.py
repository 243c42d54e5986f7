"""Replies held for review (答复审核): the replies waiting for the caller's review, and the
reviewer's decision on one (approve, or send back with a note)."""

from __future__ import annotations

from rest_framework import exceptions, generics, serializers
from rest_framework.response import Response

from departments.signed_in import SignedInApi, StaffApiRequest
from dispatch.models import ReplyReview
from dispatch.services.reply_reviews import reply_review_approve, reply_review_send_back, reviews_for
from dispatch.services.review_rules import may_review


class ReviewOutput(serializers.ModelSerializer):
    tracking_number = serializers.CharField(source="assignment.demand.tracking_number")
    department = serializers.CharField(source="assignment.department.name")
    submitted_by = serializers.CharField(source="submitted_by.username")
    reviewer = serializers.CharField(source="reviewer.username", allow_null=True, default=None)

    class Meta:
        model = ReplyReview
        fields = [
            "id",
            "tracking_number",
            "assignment",
            "department",
            "stage",
            "status",
            "body",
            "submitted_by",
            "submitted_at",
            "reviewer",
            "note",
            "decided_at",
        ]


class ReviewListApi(SignedInApi, generics.ListAPIView):
    """The replies waiting for the caller's review: as a head, their departments'; as a centre
    reviewer (dispatch officer, supervisor), the centre's. Empty for everyone else."""

    serializer_class = ReviewOutput
    cursor_ordering = ("submitted_at", "pk")  # waiting longest first

    def get_queryset(self):
        return reviews_for(self.request.user)


class ReviewDecisionApi(SignedInApi):
    """Approve a held reply (the last approval sends it to the citizen) or send it back to its
    author with a note (required then). A reply the caller may not review is a 404."""

    Output = ReviewOutput

    class Input(serializers.Serializer):
        approve = serializers.BooleanField()
        note = serializers.CharField(required=False, allow_blank=True, default="")

    def post(self, request: StaffApiRequest, review_id: int) -> Response:
        review = ReplyReview.objects.select_related("assignment__department").filter(pk=review_id).first()
        if review is None or not may_review(request.user, review):
            raise exceptions.NotFound
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        note = data.validated_data["note"]
        if data.validated_data["approve"]:
            reply_review_approve(review_id=review_id, actor=request.user, note=note)
        else:
            reply_review_send_back(review_id=review_id, actor=request.user, note=note)
        decided = ReplyReview.objects.select_related(
            "assignment__demand", "assignment__department", "submitted_by", "reviewer"
        ).get(pk=review_id)
        return Response(ReviewOutput(decided).data)
