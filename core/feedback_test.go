package core_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestFeedbackCommentSealedExportedErased: after the score the client's
// comment is awaited, then the recommendation; the comment is sealed (not
// in clear in any table), is in their subject access export, and erasing
// them removes it.
func TestFeedbackCommentSealedExportedErased(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	r := referralIn(t, env, core.StatusCompleted, "fb")
	phone, _ := core.ParsePhone("07700 900123")
	if err := env.Engine.AwaitReply(ctx, r.ID, core.AwaitFeedback, env.Clock.Now().Add(72*3600e9)); err != nil {
		t.Fatal(err)
	}
	next := func(want core.AwaitKind) {
		t.Helper()
		a, ok, err := env.Engine.Awaiting(ctx, phone)
		if err != nil || (want == "") == ok || ok && a.Kind != want {
			t.Fatalf("awaiting = %+v %v %v, want %q", a, ok, err, want)
		}
	}
	if err := env.Engine.RecordFeedbackScore(ctx, phone, r.ID, 4); err != nil {
		t.Fatal(err)
	}
	next(core.AwaitFeedbackComment)
	const comment = "Ailsa sorted my council tax arrears quickly"
	const commentSID = "SMc0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0"
	if err := env.Engine.RecordFeedbackComment(ctx, phone, r.ID, comment, commentSID); err != nil {
		t.Fatal(err)
	}
	next(core.AwaitFeedbackRecommend)
	yes := true
	if err := env.Engine.RecordFeedbackRecommend(ctx, phone, r.ID, &yes); err != nil {
		t.Fatal(err)
	}
	next("")

	got, _ := env.Engine.Referral(ctx, r.ID)
	if c, err := env.Engine.FeedbackComment(ctx, got); err != nil || c != comment {
		t.Errorf("comment = %q, %v", c, err)
	}
	if got.FeedbackRecommend == nil || !*got.FeedbackRecommend || got.FeedbackScore == nil || *got.FeedbackScore != 4 {
		t.Errorf("recommend %v, score %v", got.FeedbackRecommend, got.FeedbackScore)
	}
	if strings.Contains(dumpDatabase(t, env), "council tax arrears") {
		t.Error("the comment is in the database in clear")
	}
	sa, err := env.Engine.ExportClient(ctx, r.ClientID, n.Coordinator.Actor(), "web", sarRequest(env))
	if err != nil {
		t.Fatal(err)
	}
	if len(sa.Referrals) != 1 || sa.Referrals[0].FeedbackComment != comment || sa.Referrals[0].Recommends() != "yes" {
		t.Errorf("subject access referrals = %+v", sa.Referrals)
	}

	if err := env.Engine.EraseClient(ctx, r.ClientID, n.Coordinator.Actor(), core.ErasureClientAsked, "web"); err != nil {
		t.Fatal(err)
	}
	var left int
	env.Pool.QueryRow(ctx, `SELECT count(*) FROM referrals WHERE client_id = $1 AND feedback_comment_enc IS NOT NULL`, r.ClientID).Scan(&left)
	if left != 0 {
		t.Errorf("%d comments left after erasure", left)
	}
	if _, err := env.Engine.FeedbackComment(ctx, got); !errors.Is(err, core.ErrErased) {
		t.Errorf("a backup copy of the comment after erasure: %v, want ErrErased", err)
	}
	// The text that carried the comment is deleted at Twilio too.
	var erase core.OutboxEntry
	for _, e := range coretest.OutboxRows(t, env.Engine) {
		if e.Kind == core.OutboxProviderErase {
			erase = e
		}
	}
	if !slices.Contains(erase.Payload.MessageSIDs, commentSID) {
		t.Errorf("the twilio.erase row carries %v, not the comment's text", erase.Payload.MessageSIDs)
	}
}
