// Command server serves the COP territoriales GraphQL API and runs its imports.
//
// Usage:
//
//	go run ./server [flags]                 serve GraphQL at /graphql, GraphiQL at /
//	go run ./server [flags] import crte FILE      CRTE perimeters (ANCT CSV format)
//	go run ./server [flags] import sgpe FILE      SGPE regional objectives (simulateur territorial JSON)
//	go run ./server [flags] import national FILE  national emissions by sector (CSV)
//	go run ./server [flags] import observations FILE  observations (CSV: level,code,lever,sector,metric,unit,year,value,source)
//
//	go run ./server keys create --org NAME --territory LEVEL:CODE --role reader|contributor|coordinator|admin
//	go run ./server keys revoke PREFIX
//	go run ./server keys list
//	go run ./server seed demo [-actions N] [-commitments N] [-seed S]   synthetic demo data
//
// Flags:
//
//	-addr ADDR  listen address (default ":8080", or ":$PORT" when PORT is set)
//	-db PATH    SQLite file used when DATABASE_URL is empty (default "cop.db")
//
// Environment:
//
//	DATABASE_URL  postgres://user@host:port/db?sslmode=disable to use PostgreSQL
//	PORT          port to listen on when -addr is not given
//
// On first start the database is created, migrated and loaded with the territorial
// hierarchy embedded in the binary; later starts reuse it.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}
