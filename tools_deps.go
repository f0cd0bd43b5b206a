//go:build tools

// Package onward pins dependencies that the packages are about to use, so
// parallel work on separate packages never has to edit go.mod.
package onward

import (
	_ "github.com/chromedp/chromedp"
	_ "github.com/go-playground/locales/en"
	_ "github.com/go-playground/universal-translator"
	_ "github.com/go-playground/validator/v10"
	_ "github.com/go-playground/validator/v10/translations/en"
	_ "github.com/go-redis/redis_rate/v10"
	_ "github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/tern/v2/migrate"
	_ "github.com/nyaruka/phonenumbers"
	_ "github.com/redis/go-redis/v9"
	_ "github.com/skip2/go-qrcode"
	_ "github.com/slack-go/slack"
	_ "github.com/twilio/twilio-go"
	_ "github.com/twilio/twilio-go/twiml"
	_ "go.yaml.in/yaml/v3"
)
